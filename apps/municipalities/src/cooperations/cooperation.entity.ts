import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { CooperationKind } from '@wandelwerk/contracts';

@Entity({ name: 'cooperation' })
export class CooperationEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('text') kind!: CooperationKind;
  @Column('integer') version!: number;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

/** A municipality's membership from its first to its last day (open while `endDate` is null). */
@Entity({ name: 'cooperation_membership' })
export class CooperationMembershipEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'cooperation_id' }) cooperationId!: string;
  @Column('uuid', { name: 'municipality_id' }) municipalityId!: string;
  @Column('date', { name: 'start_date' }) startDate!: string;
  @Column('date', { name: 'end_date', nullable: true }) endDate!: string | null;
  @Column('text', { name: 'end_reason', nullable: true }) endReason!: string | null;
}
