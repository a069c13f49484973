export * from './dead-letter-record';
export * from './dead-letter.repository';
export * from './dead-letter-metrics';
export * from './dead-letters.controller';
export * from './dead-letters.module';
export * from './dead-letters.service';
