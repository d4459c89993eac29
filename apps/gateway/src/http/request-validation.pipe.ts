import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { validateDto, type DtoClass } from '@wandelwerk/contracts';

const NOT_DTOS: readonly unknown[] = [String, Number, Boolean, Array, Object, Buffer, Date, Promise, Symbol];

function isDto(metatype: unknown): metatype is DtoClass {
  return typeof metatype === 'function' && !NOT_DTOS.includes(metatype);
}

/**
 * The global validation pipe of the gateway: a whole body (`@Body() dto: CreateXDto`) or a whole query
 * (`@Query() query: ListXQuery`) typed with a DTO class is checked strictly by `validateDto` (whitelist, unknown
 * fields refused, nested objects and lists, `__proto__`/`constructor` refused) and transformed into the DTO
 * instance; what breaks a rule is a 400 `validation-failed` problem naming every offending field.
 */
@Injectable()
export class RequestValidationPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.data !== undefined || !isDto(metadata.metatype)) return value;
    if (metadata.type === 'body') return validateDto(metadata.metatype, value, { root: '(body)' });
    if (metadata.type === 'query') return validateDto(metadata.metatype, value ?? {}, { root: '(query)' });
    return value;
  }
}
