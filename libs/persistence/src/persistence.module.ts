import { DynamicModule, Global, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import { MongoHealthIndicator } from './mongo-health';

/**
 * The service's MongoDB connection (MONGO_URL, database in its path). Code paths use only what
 * both MongoDB 7 and the mongo-java-server stand-in support: no transactions, change streams or
 * TTL indexes (docs/local-infrastructure.md).
 */
@Global()
@Module({})
export class PersistenceModule {
  static forRoot(): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [
        MongooseModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => ({
            uri: config.mongoUrl,
            serverSelectionTimeoutMS: 5000,
            // An operation whose connection stops answering (a network cut without a reset) fails
            // after this instead of waiting forever; the consumer then waits the outage out and
            // retries (libs/kafka). Longer than any single operation of the services.
            socketTimeoutMS: 120_000,
            retryAttempts: 10,
            retryDelay: 2000,
            autoIndex: true,
          }),
        }),
      ],
      providers: [MongoHealthIndicator],
      exports: [MongooseModule],
    };
  }
}
