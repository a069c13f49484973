import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { VersionedStore } from '@tthc/persistence';
import { ClassifiedDossier } from './classified-dossier.schema';

/** `otr_dossiers`, newest version per dossier. */
@Injectable()
export class ClassifiedDossierRepository extends VersionedStore<ClassifiedDossier> {
  constructor(@InjectModel(ClassifiedDossier.name) dossiers: Model<ClassifiedDossier>) {
    super(dossiers);
  }
}
