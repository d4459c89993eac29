import { Module } from '@nestjs/common';
import { ReadModelsHandler } from './read-models.handler.js';

/** Local copies of other services' data, from their events. */
@Module({ controllers: [ReadModelsHandler] })
export class ReadModelsModule {}
