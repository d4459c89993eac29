import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Nest's default microservice filter turns a handler's error into a plain value; the transport needs the original
 * error to decide between redelivery, dead-lettering and an RPC problem reply, so it is passed on unchanged.
 */
@Catch()
export class RethrowErrorsFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
