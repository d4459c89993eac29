import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type Role } from '@wandelwerk/contracts';
import { IsString, Length, MaxLength } from 'class-validator';

export class LoginDto {
  @ApiProperty({ example: 'foerderreferentin@wandelwerk.example', maxLength: 254 })
  @IsString()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ format: 'password', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  password!: string;
}

/** Refresh tokens are 43 base64url characters (32 random bytes). */
export class RefreshDto {
  @ApiProperty({ minLength: 43, maxLength: 43 })
  @IsString()
  @Length(43, 43)
  refreshToken!: string;
}

export class SignedInUserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) municipalityId!: string | null;
}

export class TokenPairDto {
  @ApiProperty({ description: 'JWT for `Authorization: Bearer …`' }) accessToken!: string;
  @ApiProperty({ enum: ['Bearer'] }) tokenType!: 'Bearer';
  @ApiProperty({ description: 'Seconds until the access token expires' }) expiresIn!: number;
  @ApiProperty({ description: 'Use once at /api/v1/auth/refresh for the next pair' }) refreshToken!: string;
  @ApiProperty({ description: 'Seconds until the refresh token expires' }) refreshExpiresIn!: number;
  @ApiProperty({ type: SignedInUserDto }) user!: SignedInUserDto;
}
