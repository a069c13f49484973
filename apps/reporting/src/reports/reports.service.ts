import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Principal } from '@tthc/auth';
import { localDateOf } from '@tthc/calendar';
import type { PeriodFigures } from '@tthc/counting';
import { ReferenceData } from '@tthc/reference';
import { CounterCache } from './counter-cache';
import type { CounterFilters, Dimension, SelectedSeries, SelectOptions } from './counter-index';
import type { Form06aReport } from './form-06a-export';
import { intervalCount, previousPeriod, type Period } from './periods';
import type { Form06aQuery, OverdueQuery, PeriodQuery, ScopeQuery, TimeseriesQuery } from './query';
import { ReportDossiersRepository } from './report-dossiers.repository';
import {
  figuresOf,
  form06aFiguresOf,
  form06aRows,
  groupedFigures,
  indicatorsOf,
  MAX_POINTS,
  timeseriesOf,
} from './report-math';
import { ReportScope } from './scope';
import { TooManyPointsError, UnknownDossierError } from './report-errors';

const filtersOf = (query: CounterFilters): CounterFilters => ({
  ...(query.field === undefined ? {} : { field: query.field }),
  ...(query.procedure === undefined ? {} : { procedure: query.procedure }),
  ...(query.channel === undefined ? {} : { channel: query.channel }),
});

/** Copies the figures (their objects are fresh per computation, but answers must not share them). */
const figuresBody = (figures: PeriodFigures) => ({
  received: { ...figures.received, newByChannel: { ...figures.received.newByChannel } },
  resolved: { ...figures.resolved },
  pending: { ...figures.pending },
  onTimeRate: { ...figures.onTimeRate },
});

/** The report answers (docs/api.md §5): reads only through a {@link ReportScope}. */
@Injectable()
export class ReportsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(ReportsService.name);

  constructor(
    private readonly cache: CounterCache,
    private readonly reference: ReferenceData,
    private readonly dossiers: ReportDossiersRepository,
  ) {
    cache.useTree(() => reference.agencies());
    reference.onChange((changes) => {
      if (changes.some((change) => change.kind === 'agency')) cache.treeChanged();
      return Promise.resolve();
    });
  }

  onApplicationBootstrap(): void {
    this.cache.view().catch((error: unknown) => this.logger.warn(`counter cache not loaded at boot: ${String(error)}`));
  }

  /** The scope of a request: from the authenticated principal and the requested agency only. */
  scopeOf(principal: Principal, query: ScopeQuery): ReportScope {
    return ReportScope.forPrincipal(principal, query.agency, this.reference.agencies(), { restate: query.restate });
  }

  private today(): string {
    return localDateOf(Date.now());
  }

  private async selected(
    scope: ReportScope,
    query: CounterFilters,
    groupBy?: Dimension,
    options: SelectOptions = {},
  ): Promise<{ selected: SelectedSeries[]; dataAsOf: string | null }> {
    const view = await this.cache.view();
    return { selected: view.index.select(scope, filtersOf(query), groupBy, options), dataAsOf: view.dataAsOf };
  }

  async summary(scope: ReportScope, query: PeriodQuery) {
    const { selected, dataAsOf } = await this.selected(scope, query, undefined, { subtrees: true });
    const period: Period = { from: query.from, to: query.to };
    const today = this.today();
    const previous = previousPeriod(period);
    return {
      period,
      agency: scope.agency,
      ...figuresBody(figuresOf(selected, period, today)),
      dataAsOf,
      previousPeriod: { period: previous, ...figuresBody(figuresOf(selected, previous, today)) },
    };
  }

  async form06a(scope: ReportScope, query: Form06aQuery): Promise<Form06aReport & { dataAsOf: string | null }> {
    // By agency: per-agency series (grouped by the scope's direct child); else the subtree aggregates.
    const { selected, dataAsOf } =
      query.rows === 'agency'
        ? await this.selected(scope, query)
        : await this.selected(scope, query, query.rows, { subtrees: true });
    const period: Period = { from: query.from, to: query.to };
    const keyOf =
      query.rows === 'field'
        ? (entry: SelectedSeries) => entry.dimensions.field
        : query.rows === 'procedure'
          ? (entry: SelectedSeries) => entry.dimensions.procedure
          : (entry: SelectedSeries) => scope.childOf(entry.agency);
    const nameOf =
      query.rows === 'field'
        ? (key: string) => this.reference.field(key)?.name ?? key
        : query.rows === 'procedure'
          ? (key: string) => this.reference.procedure(key)?.name ?? key
          : (key: string) => scope.nameOf(key);
    const { groups, total } = groupedFigures(selected, keyOf, period, this.today());
    return {
      period,
      agency: scope.agency,
      rows: form06aRows(groups, nameOf),
      total: form06aFiguresOf(total),
      dataAsOf,
    };
  }

  async timeseries(scope: ReportScope, query: TimeseriesQuery) {
    const period: Period = { from: query.from, to: query.to };
    const count = intervalCount(period, query.interval);
    if (count > MAX_POINTS) {
      throw new TooManyPointsError(count, query.interval, MAX_POINTS);
    }
    const { selected, dataAsOf } = await this.selected(scope, query, undefined, { subtrees: true });
    const points = timeseriesOf(selected, period, query.interval, this.today());
    return {
      period,
      agency: scope.agency,
      interval: query.interval,
      points: points.map((point) => ({ period: point.period, ...figuresBody(point.figures) })),
      dataAsOf,
    };
  }

  async indicators(scope: ReportScope, query: PeriodQuery) {
    const { selected, dataAsOf } = await this.selected(scope, query);
    const period: Period = { from: query.from, to: query.to };
    const { groups, total } = groupedFigures(selected, (entry) => scope.childOf(entry.agency), period, this.today());
    const row = (agency: { code: string; name: string }, figures: PeriodFigures, subtree: 'whole' | 'own') => ({
      agency,
      part: subtree,
      received: figures.received.total,
      new: figures.received.new,
      onlineNew: figures.received.newByChannel.online,
      onTimeRate: { ...figures.onTimeRate },
      indicators: indicatorsOf(figures),
    });
    const children = [...groups]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([code, figures]) =>
        row({ code, name: scope.nameOf(code) }, figures, code === scope.agency.code ? 'own' : 'whole'),
      );
    return { period, agency: scope.agency, rows: [row(scope.agency, total, 'whole'), ...children], dataAsOf };
  }

  async overdue(scope: ReportScope, query: OverdueQuery) {
    const now = Date.now();
    const [found, view] = await Promise.all([
      this.dossiers.overduePage(scope, now, filtersOf(query), query),
      this.cache.view(),
    ]);
    const items = found.items.map((item) => ({
      code: item.code,
      agency: { code: item.agencyCode, name: scope.nameOf(item.agencyCode) },
      procedure: {
        code: item.procedureCode,
        name: this.reference.procedure(item.procedureCode)?.name ?? item.procedureCode,
      },
      dueAt: item.dueAt,
      daysOverdue: item.daysOverdue,
    }));
    return { items, page: query.page, pageSize: query.pageSize, total: found.total, dataAsOf: view.dataAsOf };
  }

  async dossier(scope: ReportScope, code: string) {
    const doc = await this.dossiers.dossier(scope, code);
    if (doc === null) throw new UnknownDossierError(code);
    const snapshot = doc.snapshot;
    return {
      code: doc._id,
      dossierVersion: doc.dossierVersion,
      revision: doc.revision,
      emittedAt: doc.emittedAt,
      agency: { code: doc.agencyCode, name: scope.nameOf(doc.agencyCode) },
      procedure: {
        code: snapshot.procedureCode,
        name: this.reference.procedure(snapshot.procedureCode)?.name ?? snapshot.procedureCode,
      },
      field: { code: snapshot.fieldCode, name: this.reference.field(snapshot.fieldCode)?.name ?? snapshot.fieldCode },
      status: snapshot.status,
      outcome: doc.outcome,
      withdrawn: doc.withdrawn,
      dueAt: snapshot.dueAt,
      dueHistory: snapshot.dueHistory,
      waiting: snapshot.waiting,
      contribution: doc.applied?.contribution ?? null,
      snapshot,
    };
  }

  referenceLists(scope: ReportScope) {
    const byCode = <T extends { code: string }>(a: T, b: T) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
    return {
      agencies: scope
        .agencies()
        .map(({ code, name, parentCode, level }) => ({ code, name, parentCode, level }))
        .sort(byCode),
      fields: this.reference
        .all('field')
        .map(({ code, name }) => ({ code, name }))
        .sort(byCode),
      procedures: this.reference
        .all('procedure')
        .map(({ code, name, fieldCode }) => ({ code, name, fieldCode }))
        .sort(byCode),
    };
  }
}
