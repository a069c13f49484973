import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { DossierSnapshot } from '@tthc/contracts';
import type { FinishOutcome } from '../domain/classify';
import type { AppliedContribution } from '../domain/counters';

/** `otr_dossiers`: the latest snapshot of each dossier known to on-time-rate, with its outcome. */
@Schema({ collection: 'otr_dossiers', versionKey: false })
export class ClassifiedDossier {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: Number, required: true })
  version!: number;

  @Prop({ type: Object, required: true })
  snapshot!: DossierSnapshot;

  @Prop({ type: String, default: null })
  outcome!: FinishOutcome | null;

  @Prop({ type: Boolean, required: true })
  withdrawn!: boolean;

  @Prop({ type: Boolean, required: true })
  voided!: boolean;

  /** What this version added to the counters (null when voided), to take it back on the next one. */
  @Prop({ type: Object, default: null })
  applied!: AppliedContribution | null;
}
export const ClassifiedDossierSchema = SchemaFactory.createForClass(ClassifiedDossier);
