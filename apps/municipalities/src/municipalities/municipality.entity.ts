import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Region } from '@wandelwerk/contracts';

@Entity({ name: 'municipality' })
export class MunicipalityEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ type: 'char', length: 8 }) ags!: string;
  @Column('text') name!: string;
  @Column('text', { name: 'official_name' }) officialName!: string;
  @Column('text') district!: string;
  @Column('text') state!: string;
  @Column('text', { nullable: true }) region!: Region | null;
  @Column('boolean') active!: boolean;
  @Column('integer') version!: number;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
