import { Module } from '@nestjs/common';
import { ProjectsController } from './projects.controller.js';
import { ReportingController } from './reporting.controller.js';

/** The projects' public API; the projects service does the work. */
@Module({ controllers: [ProjectsController, ReportingController] })
export class ProjectsApiModule {}
