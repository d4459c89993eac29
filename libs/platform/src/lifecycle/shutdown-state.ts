import { Injectable } from '@nestjs/common';

/** Set when the process received its stop signal: readiness turns false while in-flight work finishes. */
@Injectable()
export class ShutdownState {
  draining = false;
}
