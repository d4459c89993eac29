import { Field, is, NestedField } from '../../validation/field-rules.js';
import { ProposalRef } from '../shared/references.event.js';

/** A milestone of an approved project's schedule (subject: the milestone's id). */
export class MilestoneScheduledEvent {
  static readonly type = 'projects.milestone.scheduled.v1';
  @NestedField(() => ProposalRef) proposal!: ProposalRef;
  @Field(is.text(200)) title!: string;
  @Field(is.date) dueDate!: string;
}
