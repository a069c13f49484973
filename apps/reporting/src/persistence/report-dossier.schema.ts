import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { DossierSnapshot } from '@tthc/contracts';

/** `rpt_dossiers`: reporting's copy of each dossier's newest snapshot (drill-down, overdue list). */
@Schema({ collection: 'rpt_dossiers', versionKey: false })
export class ReportDossier {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: Number, required: true })
  version!: number;

  @Prop({ type: Object, required: true })
  snapshot!: DossierSnapshot;

  @Prop({ type: String, required: true, index: true })
  agencyCode!: string;

  @Prop({ type: String, required: true })
  factEmittedAt!: string;
}
export const ReportDossierSchema = SchemaFactory.createForClass(ReportDossier);
