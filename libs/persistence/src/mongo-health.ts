import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { ConnectionStates, type Connection } from 'mongoose';
import { HealthRegistry, type HealthResult } from '@tthc/observability';

/** Readiness of MongoDB: a `ping` command answered on the service's connection. */
@Injectable()
export class MongoHealthIndicator implements OnModuleInit {
  readonly name = 'mongodb';

  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly registry: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async check(): Promise<HealthResult> {
    const db = this.connection.db;
    if (this.connection.readyState !== ConnectionStates.connected || db === undefined) {
      return { ok: false, detail: `connection state ${this.connection.readyState}` };
    }
    await db.command({ ping: 1 }, { timeoutMS: 2000 });
    return { ok: true };
  }
}
