import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';

export const ROLES = ['admin', 'program_manager', 'funding_officer', 'municipality'] as const;
export type Role = (typeof ROLES)[number];

/** Who asks: the gateway puts the authenticated user into every command it sends to a service. */
export class ActorDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('4')
  userId!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;

  /** Set for `municipality` accounts: the one municipality they act for. */
  @ApiProperty({ type: String, format: 'uuid', nullable: true, required: false })
  @IsOptional()
  @IsUUID('4')
  municipalityId?: string | null;
}

/** Imports, seeds and scheduled jobs act as this user. */
export const SYSTEM_ACTOR: Readonly<ActorDto> = Object.freeze({
  userId: '00000000-0000-4000-8000-000000000001',
  role: 'admin',
  municipalityId: null,
});
