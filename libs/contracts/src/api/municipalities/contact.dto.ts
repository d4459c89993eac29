import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  ValidateNested,
} from 'class-validator';
import { ActorDto } from '../actor.js';
import { CursorPageQueryDto, SortQuery } from '../pagination.js';

const PHONE = /^\+?[0-9 ()/-]{3,40}$/;
const PHONE_MESSAGE = 'must be a phone number of 3 to 40 digits, spaces, + ( ) / -';

export class AddContactDto {
  @ApiProperty({ example: 'Katrin Lehmann', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  fullName!: string;

  @ApiProperty({ example: 'Wirtschaftsförderung', description: 'Their function', maxLength: 120 })
  @IsString()
  @Length(1, 120)
  role!: string;

  @ApiProperty({ example: 'wirtschaft@senftenberg.de', maxLength: 254 })
  @IsEmail({}, { message: 'must be an e-mail address' })
  @Length(3, 254)
  email!: string;

  @ApiPropertyOptional({ type: String, example: '+49 3573 701-0', nullable: true })
  @IsOptional()
  @Matches(PHONE, { message: PHONE_MESSAGE })
  phone?: string | null;

  @ApiPropertyOptional({ enum: ['de', 'en'], default: 'de', description: 'Language of their notifications' })
  @IsOptional()
  @IsIn(['de', 'en'])
  language?: 'de' | 'en';
}

export class UpdateContactDto {
  @ApiPropertyOptional({ maxLength: 200 }) @IsOptional() @IsString() @Length(1, 200) fullName?: string;
  @ApiPropertyOptional({ maxLength: 120 }) @IsOptional() @IsString() @Length(1, 120) role?: string;
  @ApiPropertyOptional({ maxLength: 254 })
  @IsOptional()
  @IsEmail({}, { message: 'must be an e-mail address' })
  @Length(3, 254)
  email?: string;
  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @Matches(PHONE, { message: PHONE_MESSAGE })
  phone?: string | null;
  @ApiPropertyOptional({ enum: ['de', 'en'] }) @IsOptional() @IsIn(['de', 'en']) language?: 'de' | 'en';
}

export class ContactDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) municipalityId!: string;
  @ApiProperty() fullName!: string;
  @ApiProperty() role!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ type: String, nullable: true }) phone!: string | null;
  @ApiProperty({ enum: ['de', 'en'] }) language!: 'de' | 'en';
  @ApiProperty() version!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class AddContactCommand {
  @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
  @IsUUID('4') municipalityId!: string;
  @ValidateNested() @Type(() => AddContactDto) data!: AddContactDto;
}

export class UpdateContactCommand {
  @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
  @IsUUID('4') municipalityId!: string;
  @IsUUID('4') contactId!: string;
  @ValidateNested() @Type(() => UpdateContactDto) data!: UpdateContactDto;
}

export class RemoveContactCommand {
  @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
  @IsUUID('4') municipalityId!: string;
  @IsUUID('4') contactId!: string;
}

export const CONTACT_SORT_FIELDS = ['fullName', 'createdAt'] as const;

/** `GET /municipalities/{id}/contacts`: sort and cursor pagination. */
export class ListContactsQueryDto extends CursorPageQueryDto {
  @SortQuery(CONTACT_SORT_FIELDS, 'fullName') sort: string = 'fullName';
}

export class ListContactsRequest {
  @IsUUID('4') municipalityId!: string;
  @ValidateNested() @Type(() => ListContactsQueryDto) query!: ListContactsQueryDto;
}
