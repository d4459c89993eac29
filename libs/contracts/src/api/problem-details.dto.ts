import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

/** OpenAPI description of the problem details every error answer carries (components `ProblemDetails`, `FieldError`). */

@ApiSchema({ name: 'FieldError', description: 'Ein ungültiges Feld / one invalid field' })
export class FieldErrorDto {
  @ApiProperty({
    description: 'Pfad des Feldes / path of the field; `(body)`, `(query)` for the whole',
    example: 'partners[1].costShareBasisPoints',
  })
  field!: string;

  @ApiProperty({
    description:
      'Maschinenlesbare Regel / machine-readable rule: class-validator constraint (`isUuid`, `max`, ...), ' +
      '`isDefined`, `unknownField`, `forbiddenKey`, `isCursor`, `isSort`, ...',
    example: 'max',
  })
  rule!: string;

  @ApiProperty({
    description: 'Meldung für Menschen / message for people',
    example: 'darf höchstens 10000 sein',
  })
  message!: string;
}

@ApiSchema({
  name: 'ProblemDetails',
  description:
    'RFC 9457 problem details (`application/problem+json`), title/detail/messages in German or English by ' +
    '`Accept-Language`. Further members (extensions) may follow, e.g. `currentState` and `allowedTransitions` ' +
    'of a refused state change.',
})
export class ProblemDetailsDto {
  @ApiProperty({
    format: 'uri',
    description: '`about:blank` for a plain HTTP status, else `https://wandelwerk.de/problems/<code>`',
    example: 'https://wandelwerk.de/problems/validation-failed',
  })
  type!: string;

  @ApiProperty({ example: 'Ungültige Angaben' })
  title!: string;

  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599, example: 400 })
  status!: number;

  @ApiProperty({ example: 'Eine Angabe der Anfrage ist ungültig; siehe errors.' })
  detail!: string;

  @ApiPropertyOptional({ description: 'Pfad der Anfrage / request path', example: '/api/v1/projects' })
  instance?: string;

  @ApiPropertyOptional({
    description: 'Wie der Header X-Correlation-Id / as the X-Correlation-Id header',
    example: '3f1c2b9e-6a0d-4a43-9a57-0c1c5e2d7f10',
  })
  correlationId?: string;

  @ApiPropertyOptional({
    description: 'Stabiler Code / stable code, e.g. `validation-failed`, `municipality.not-found`',
    example: 'validation-failed',
  })
  code?: string;

  @ApiPropertyOptional({ type: () => [FieldErrorDto], description: 'Bei / with `validation-failed`' })
  errors?: FieldErrorDto[];
}
