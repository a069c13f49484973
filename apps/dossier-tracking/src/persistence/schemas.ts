import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { DossierSnapshot } from '@tthc/contracts';
import type { DataQualityIssue } from '../domain/fold';
import { COLLECTIONS } from '../collections';

/**
 * `tracking_events`: one small key per distinct accepted event, `_id` = desk + eventId (docs/api.md §4
 * idempotency), with its content hash (conflicting re-posts) and its dossier. The event itself is
 * kept once, in its dossier's list (`tracking_dossier_events`); keeping it here too doubled the
 * bytes written per event.
 */
@Schema({ collection: COLLECTIONS.events, versionKey: false })
export class TrackedEvent {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  dossierCode!: string;

  @Prop({ type: String, required: true })
  contentHash!: string;

  @Prop({ type: String, required: true })
  acceptedAt!: string;
}
export const TrackedEventSchema = SchemaFactory.createForClass(TrackedEvent);

export type DossierRecordKind = 'awaiting_receipt' | 'rejected' | 'dossier';

/** `tracking_dossiers`: the folded state of each dossier, its version and the last version published. */
@Schema({ collection: COLLECTIONS.dossiers, versionKey: false })
export class DossierRecord {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  kind!: DossierRecordKind;

  /** Grows by one with every change of `state` or `kind`. */
  @Prop({ type: Number, required: true })
  version!: number;

  /** Highest version whose fact Kafka acknowledged. */
  @Prop({ type: Number, required: true })
  publishedVersion!: number;

  /** True while the fact of `version` has not been acknowledged by Kafka. */
  @Prop({ type: Boolean, required: true, index: true })
  factOwed!: boolean;

  @Prop({ type: Object, default: null })
  state!: Omit<DossierSnapshot, 'version'> | null;

  @Prop({ type: String, required: true })
  updatedAt!: string;

  /** When the due_instant_reached notification of this version's due date was published (timers). */
  @Prop({ type: String, required: false })
  overdueNotifiedAt?: string;
}
export const DossierRecordSchema = SchemaFactory.createForClass(DossierRecord);

/** `tracking_data_quality`: records kept out of the figures, for the admin data-quality list. */
@Schema({ collection: COLLECTIONS.dataQuality, versionKey: false })
export class DataQualityRecord {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  kind!: DataQualityIssue['kind'] | 'conflicting_duplicate';

  @Prop({ type: String, required: true, index: true })
  dossierCode!: string;

  @Prop({ type: String, required: true })
  deskId!: string;

  @Prop({ type: String, required: true })
  eventId!: string;

  @Prop({ type: String, required: true })
  detail!: string;

  @Prop({ type: String, required: true })
  firstSeenAt!: string;
}
export const DataQualityRecordSchema = SchemaFactory.createForClass(DataQualityRecord);
