import { Module } from '@nestjs/common';
import { DashboardAssets } from './dashboard-assets';
import { DashboardController } from './dashboard.controller';

/** Serves the web dashboard's static single-page app at `/` (docs/dashboard.md). */
@Module({ controllers: [DashboardController], providers: [DashboardAssets] })
export class DashboardModule {}
