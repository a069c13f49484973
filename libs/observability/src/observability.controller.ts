import { Controller, Get, Header, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Registry } from 'prom-client';
import { HealthRegistry } from './health';
import { METRICS_REGISTRY } from './metrics';

@ApiExcludeController()
@Controller()
export class ObservabilityController {
  constructor(
    private readonly health: HealthRegistry,
    @Inject(METRICS_REGISTRY) private readonly metrics: Registry,
  ) {}

  /** The process is up and its event loop answers. */
  @Get('health/live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** 200 only when every dependency (Kafka, MongoDB, Redis, consumers) answers; 503 otherwise. */
  @Get('health/ready')
  async ready(@Res() response: Response): Promise<void> {
    const result = await this.health.checkAll();
    response
      .status(result.ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
      .json({ status: result.ok ? 'ready' : 'not_ready', checks: result.checks });
  }

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async scrape(@Res() response: Response): Promise<void> {
    response.setHeader('Content-Type', this.metrics.contentType);
    response.send(await this.metrics.metrics());
  }
}
