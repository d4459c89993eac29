import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { CsvBodyGuard } from './csv-body.js';
import { HTTP_CONVENTIONS_OPTIONS, type HttpConventionsOptions } from './http-conventions.options.js';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor.js';
import { IdempotencyStore } from './idempotency/idempotency.store.js';
import { ProblemDetailsFilter } from './problem-details.filter.js';
import { QueryParametersGuard } from './query-parameters.guard.js';
import { RequestValidationPipe } from './request-validation.pipe.js';

/**
 * The gateway's API conventions for every controller: problem details for every error, strict validation of
 * bodies and queries, unknown query parameters refused, and `@Idempotent()` routes backed by Redis.
 */
@Module({})
export class HttpConventionsModule {
  static forRoot(options: HttpConventionsOptions): DynamicModule {
    return {
      module: HttpConventionsModule,
      global: true,
      providers: [
        { provide: HTTP_CONVENTIONS_OPTIONS, useValue: options },
        IdempotencyStore,
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_GUARD, useClass: QueryParametersGuard },
        { provide: APP_GUARD, useClass: CsvBodyGuard },
        { provide: APP_PIPE, useClass: RequestValidationPipe },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
      ],
      exports: [HTTP_CONVENTIONS_OPTIONS, IdempotencyStore],
    };
  }
}
