import { Injectable, Param, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { fieldViolation, ruleMessage, validationProblem } from '@wandelwerk/contracts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path parameter that must be a UUID; answers 400 `validation-failed` naming the parameter, else lower case. */
@Injectable()
export class UuidParamPipe implements PipeTransform<unknown, string> {
  transform(value: unknown, metadata: ArgumentMetadata): string {
    if (typeof value === 'string' && UUID.test(value)) return value.toLowerCase();
    const name = typeof metadata.data === 'string' ? metadata.data : 'id';
    throw validationProblem([fieldViolation(name, 'isUuid', ruleMessage('isUuid'))]);
  }
}

/** `@UuidParam('id') id: string`: the path parameter, checked to be a UUID. */
export const UuidParam = (name = 'id'): ParameterDecorator => Param(name, UuidParamPipe);
