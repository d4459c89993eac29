import { Module } from '@nestjs/common';
import { InAppHandler } from './in-app.handler.js';
import { InAppService } from './in-app.service.js';

/** The caller's inbox and the delivery log of a notification. */
@Module({ controllers: [InAppHandler], providers: [InAppService] })
export class InAppModule {}
