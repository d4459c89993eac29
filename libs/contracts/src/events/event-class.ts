import type { PayloadClass } from '../validation/field-rules.js';

/** The payload class of one event type; the type is a static so producers write `ProposalSubmittedEvent.type`. */
export type EventClass<T extends object = object> = PayloadClass<T> & { readonly type: string };
