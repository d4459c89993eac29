import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CursorPageQueryDto, ROLES, SortQuery, ToBoolean, type Role } from '@wandelwerk/contracts';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  MaxLength,
  ValidateIf,
} from 'class-validator';

export const USER_SORT_FIELDS = ['createdAt', 'email'] as const;

const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const lowerCased = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;

/** Passwords: 12 to 200 characters (the upper bound keeps hashing cheap for hostile input). */
export const PASSWORD_LENGTH = { min: 12, max: 200 } as const;

export class UserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'referentin@foerderbank.example' }) email!: string;
  @ApiProperty({ example: 'Dr. Anna Schulz' }) displayName!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) municipalityId!: string | null;
  @ApiProperty() active!: boolean;
  /** False for accounts that sign in only through OpenID Connect. */
  @ApiProperty() hasPassword!: boolean;
  @ApiProperty() version!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class CreateUserDto {
  @ApiProperty({ maxLength: 254 })
  @Transform(lowerCased)
  @IsEmail({}, { message: 'must be an e-mail address' })
  @MaxLength(254)
  email!: string;

  @ApiProperty({ minLength: 1, maxLength: 200 })
  @Transform(trimmed)
  @IsString()
  @Length(1, 200)
  displayName!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;

  @ApiPropertyOptional({ format: 'uuid', description: 'Required for and only for the role municipality' })
  @ValidateIf((user: CreateUserDto) => user.role === 'municipality' || user.municipalityId !== undefined)
  @IsUUID('4')
  municipalityId?: string;

  @ApiPropertyOptional({ minLength: PASSWORD_LENGTH.min, maxLength: PASSWORD_LENGTH.max })
  @IsOptional()
  @IsString()
  @Length(PASSWORD_LENGTH.min, PASSWORD_LENGTH.max)
  password?: string;
}

export class UpdateUserDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @Length(1, 200)
  displayName?: string;

  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  @ValidateIf((patch: UpdateUserDto) => patch.municipalityId !== null && patch.municipalityId !== undefined)
  @IsUUID('4')
  municipalityId?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ minLength: PASSWORD_LENGTH.min, maxLength: PASSWORD_LENGTH.max })
  @IsOptional()
  @IsString()
  @Length(PASSWORD_LENGTH.min, PASSWORD_LENGTH.max)
  password?: string;
}

export class ListUsersQueryDto extends CursorPageQueryDto {
  @ApiPropertyOptional({ enum: ROLES }) @IsOptional() @IsIn(ROLES) role?: Role;

  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID('4') municipalityId?: string;

  @ApiPropertyOptional() @IsOptional() @ToBoolean() @IsBoolean() active?: boolean;

  @SortQuery(USER_SORT_FIELDS, '-createdAt') sort: string = '-createdAt';
}
