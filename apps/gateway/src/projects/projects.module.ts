import { Module } from '@nestjs/common';
import { ProjectsController } from './projects.controller.js';

/** The projects' public API; the projects service does the work. */
@Module({ controllers: [ProjectsController] })
export class ProjectsApiModule {}
