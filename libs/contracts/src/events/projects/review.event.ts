import { Field, is, NestedField } from '../../validation/field-rules.js';
import { ProposalRef } from '../shared/references.event.js';
import { WORKSHOPS, type Workshop } from './proposal.event.js';

export const REVIEW_VOTA = ['endorse', 'revise', 'reject'] as const;
export type ReviewVotum = (typeof REVIEW_VOTA)[number];

const SCORE = is.int(0, 5);

/** The score of each review criterion, 0 (not at all) to 5 (fully). */
export class ReviewScores {
  @Field(SCORE) regionalValueAdded!: number;
  @Field(SCORE) jobs!: number;
  @Field(SCORE) sustainability!: number;
  @Field(SCORE) cooperation!: number;
  @Field(SCORE) feasibility!: number;
}

/** A Werkstatt's (or a funding officer's) Votum on a proposal (subject: the review's id). */
export class ReviewRecordedEvent {
  static readonly type = 'projects.review.recorded.v1';
  @NestedField(() => ProposalRef) proposal!: ProposalRef;
  /** 1 for the first review, counting up after each revision. */
  @Field(is.int(1, 100)) round!: number;
  @Field(is.uuid) reviewerUserId!: string;
  @Field(is.oneOf(WORKSHOPS), { nullable: true }) workshop!: Workshop | null;
  @Field(is.oneOf(REVIEW_VOTA)) votum!: ReviewVotum;
  @Field(is.text(4000)) comment!: string;
  @NestedField(() => ReviewScores) scores!: ReviewScores;
  /** The sum of the scores, 0 to 25. */
  @Field(is.int(0, 25)) totalScore!: number;
}
