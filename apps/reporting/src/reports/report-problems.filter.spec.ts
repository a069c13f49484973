import {
  ReportError,
  ScopeRefusedError,
  TooManyPointsError,
  UnknownAgencyError,
  UnknownDossierError,
} from './report-errors';
import { problemOf } from './report-problems.filter';

describe('report errors as problem documents (docs/api.md §6)', () => {
  it('answers an unknown agency and an unknown (or out-of-scope) dossier 404', () => {
    expect(problemOf(new UnknownAgencyError('X1'))).toMatchObject({ status: 404, detail: 'agency X1 is not known' });
    expect(problemOf(new UnknownDossierError('D9'))).toMatchObject({ status: 404, detail: 'dossier D9 is not known' });
  });

  it('answers a refused scope 403', () => {
    expect(problemOf(new ScopeRefusedError('agency P1 is outside the agency subtree of this key'))).toMatchObject({
      status: 403,
      title: 'Forbidden',
    });
  });

  it('answers too many timeseries points 400 naming the interval parameter', () => {
    expect(problemOf(new TooManyPointsError(1500, 'day', 1000))).toMatchObject({
      status: 400,
      detail: '1500 day intervals: at most 1000 points; choose a longer interval',
      errors: [{ path: 'interval', message: 'gives 1500 points, more than 1000' }],
    });
  });

  it('answers an error it does not know 500 without its message', () => {
    class Strange extends ReportError {}
    expect(problemOf(new Strange('internal detail'))).toMatchObject({ status: 500 });
    expect(JSON.stringify(problemOf(new Strange('internal detail')))).not.toContain('internal detail');
  });
});
