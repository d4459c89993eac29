import { oncePerRequest } from '@wandelwerk/platform';
import { PROJECTS_SCHEMA } from '../infrastructure/persistence/schema.js';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  REVIEW_CRITERIA,
  ReviewRecordedEvent,
  type ActorDto,
  type ProposalAction,
  type RecordReviewDto,
  type ReviewDto,
} from '@wandelwerk/contracts';
import { OutboxPublisher } from '@wandelwerk/messaging';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { ProposalProblems } from '../proposals/proposal.problems.js';
import { refOf } from '../proposals/proposal.record.js';
import { ProposalsService } from '../proposals/proposals.service.js';

interface ReviewRow {
  id: string;
  proposal_id: string;
  round: number;
  reviewer_user_id: string;
  votum: ReviewDto['votum'];
  scores: ReviewDto['scores'];
  total_score: number;
  comment: string;
  created_at: Date;
}

const toReviewDto = (row: ReviewRow): ReviewDto => ({
  id: row.id,
  proposalId: row.proposal_id,
  round: row.round,
  reviewerUserId: row.reviewer_user_id,
  votum: row.votum,
  scores: row.scores,
  totalScore: row.total_score,
  comment: row.comment,
  createdAt: row.created_at.toISOString(),
});

/** The Votum of a review round: a score per criterion (0–5), their sum and a comment. */
@Injectable()
export class ReviewsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxPublisher,
    private readonly proposals: ProposalsService,
  ) {}

  async record(actor: ActorDto, proposalId: string, input: RecordReviewDto): Promise<ReviewDto> {
    return this.dataSource.transaction((manager) =>
      oncePerRequest(manager, PROJECTS_SCHEMA, 'review.record', async () => {
        const proposal = await this.proposals.loadFor(manager, proposalId, actor);
        if (proposal.status !== 'in-review')
          throw ProposalProblems.transitionNotAllowed(proposal.status, 'endorse', []);
        if (actor.role !== 'admin' && actor.role !== 'funding_officer')
          throw ProposalProblems.forbidden(
            'Ein Votum erfassen nur Förderreferentinnen und -referenten.',
            'Only funding officers record a votum.',
          );
        // Lock the proposal row: reviews of one round are numbered against its current state.
        await manager.query(`SELECT 1 FROM projects.proposal WHERE id = $1 FOR UPDATE`, [proposalId]);
        const scores = Object.fromEntries(
          REVIEW_CRITERIA.map((c) => [c, input.scores[c]]),
        ) as unknown as ReviewDto['scores'];
        const total = REVIEW_CRITERIA.reduce((sum, c) => sum + input.scores[c], 0);
        const row: ReviewRow = {
          id: randomUUID(),
          proposal_id: proposalId,
          round: proposal.reviewRound,
          reviewer_user_id: actor.userId,
          votum: input.votum,
          scores,
          total_score: total,
          comment: input.comment,
          created_at: new Date(),
        };
        await manager.query(
          `INSERT INTO projects.review (id, proposal_id, round, reviewer_user_id, votum, scores, total_score, comment,
           created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [
            row.id,
            proposalId,
            row.round,
            actor.userId,
            row.votum,
            JSON.stringify(scores),
            total,
            row.comment,
            row.created_at,
          ],
        );
        await this.outbox.publish(manager, {
          type: ReviewRecordedEvent.type,
          subject: row.id,
          data: {
            proposal: refOf(proposal),
            round: row.round,
            reviewerUserId: actor.userId,
            workshop: proposal.workshop,
            votum: row.votum,
            comment: row.comment,
            scores,
            totalScore: total,
          },
        });
        return toReviewDto(row);
      }),
    );
  }

  async list(actor: ActorDto, proposalId: string): Promise<ReviewDto[]> {
    await this.proposals.get(actor, proposalId);
    const rows = await this.dataSource.query<ReviewRow[]>(
      `SELECT * FROM projects.review WHERE proposal_id = $1 ORDER BY created_at, id`,
      [proposalId],
    );
    return rows.map(toReviewDto);
  }

  /** Endorse and reject name the review whose Votum they follow: one of the current round, with that Votum. */
  async requireVotum(
    manager: EntityManager,
    proposalId: string,
    round: number,
    reviewId: string,
    action: ProposalAction,
  ): Promise<void> {
    const [row] = await manager.query<{ votum: string }[]>(
      `SELECT votum FROM projects.review WHERE id = $1 AND proposal_id = $2 AND round = $3`,
      [reviewId, proposalId, round],
    );
    if (!row) throw ProposalProblems.reviewNotFound(reviewId);
    const expected = action === 'endorse' ? 'endorse' : 'reject';
    if (row.votum !== expected) throw ProposalProblems.reviewVotumMismatch(row.votum, action);
  }
}
