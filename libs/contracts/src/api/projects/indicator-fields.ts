import { ApiProperty } from '@nestjs/swagger';
import { IsNumber, IsString, Length, Max, Min } from 'class-validator';
import { apply } from '../fields.js';

/*
 * The decorators are listed in the order TypeScript would apply them stacked above the property (bottom one
 * first), so class-validator reports the constraints in the same order as before.
 */

/** The name of an indicator, e.g. "Arbeitsplätze geschaffen": 1 to 200 characters. */
export function IndicatorName(): PropertyDecorator {
  return apply(
    Length(1, 200),
    IsString(),
    ApiProperty({ minLength: 1, maxLength: 200, example: 'Arbeitsplätze geschaffen' }),
  );
}

/** A figure of an indicator: from 0 to 10^12 with at most 3 decimal places. */
export function IndicatorValue(example: number): PropertyDecorator {
  return apply(
    Max(1e12),
    Min(0),
    IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 3 }),
    ApiProperty({ minimum: 0, example }),
  );
}
