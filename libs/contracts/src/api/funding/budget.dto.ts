import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { Cents, Text, Year } from './funding-fields.js';

export const BUDGET_AMENDMENT_KINDS = ['raise', 'cut', 'move'] as const;
export type BudgetAmendmentKind = (typeof BUDGET_AMENDMENT_KINDS)[number];

/**
 * A change of a programme's budget: `raise` a year (a year without a line gets one), `cut` it (never below what is
 * reserved and disbursed), or `move` money from `year` to `toYear`.
 */
export class AmendBudgetDto {
  @ApiProperty({ enum: BUDGET_AMENDMENT_KINDS })
  @IsIn(BUDGET_AMENDMENT_KINDS)
  kind!: BudgetAmendmentKind;

  @ApiProperty({
    minimum: 2000,
    maximum: 2100,
    example: 2026,
    description: 'The year raised or cut; for move, the source',
  })
  @Year()
  year!: number;

  @ApiPropertyOptional({
    minimum: 2000,
    maximum: 2100,
    description: 'move only: the year that receives the money',
  })
  @IsOptional()
  @Year()
  toYear?: number;

  @ApiProperty({ minimum: 1, example: 20_000_000_000, description: 'Euro-Cent / euro cents' })
  @Cents(1)
  amountCents!: number;

  @ApiProperty({ minLength: 1, maxLength: 1000, example: 'Mittelumschichtung nach Beschluss der IMAG' })
  @Text(1000)
  reason!: string;
}

/** One year of a programme's ledger. available = planned − reserved − disbursed, never negative. */
export class BudgetYearDto {
  @ApiProperty({ format: 'uuid', description: 'The budget line' }) id!: string;
  @ApiProperty({ example: 2026 }) year!: number;
  @ApiProperty() plannedCents!: number;
  @ApiProperty({ description: 'Approved, not yet paid' }) reservedCents!: number;
  @ApiProperty() disbursedCents!: number;
  @ApiProperty() availableCents!: number;
  @ApiProperty({
    enum: [0, 80, 90, 100],
    description: 'Highest threshold of (reserved + disbursed) / planned reached',
  })
  thresholdPercent!: number;
  @ApiProperty() version!: number;
}

export class BudgetTotalsDto {
  @ApiProperty() plannedCents!: number;
  @ApiProperty() reservedCents!: number;
  @ApiProperty() disbursedCents!: number;
  @ApiProperty() availableCents!: number;
}

export class BudgetLedgerDto {
  @ApiProperty({ format: 'uuid' }) programmeId!: string;
  @ApiProperty() programmeCode!: string;
  @ApiProperty({ type: [BudgetYearDto] }) years!: BudgetYearDto[];
  @ApiProperty({ type: BudgetTotalsDto }) totals!: BudgetTotalsDto;
}

export class BudgetAmendmentDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) programmeId!: string;
  @ApiProperty({ enum: BUDGET_AMENDMENT_KINDS }) kind!: BudgetAmendmentKind;
  @ApiProperty() year!: number;
  @ApiProperty({ type: Number, nullable: true }) toYear!: number | null;
  @ApiProperty() amountCents!: number;
  @ApiProperty() reason!: string;
  @ApiProperty({ format: 'uuid' }) actorUserId!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: [BudgetYearDto], description: 'The lines the amendment changed, after it' })
  years!: BudgetYearDto[];
}
