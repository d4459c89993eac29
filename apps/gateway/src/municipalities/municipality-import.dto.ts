import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

/** The CSV to import: a `text/csv` body arrives here as `csv`, a JSON body names it. */
export class MunicipalityImportDto {
  @ApiProperty({ description: 'The CSV text, UTF-8', maxLength: 1_000_000 })
  @IsString()
  @Length(1, 1_000_000)
  csv!: string;
}
