import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';

export class LogoutDto {
  @ApiPropertyOptional({ minLength: 43, maxLength: 43, description: 'Revokes this session as well' })
  @IsOptional()
  @IsString()
  @Length(43, 43)
  refreshToken?: string;
}
