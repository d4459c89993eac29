import { Module } from '@nestjs/common';
import { TokenRevocations } from './token-revocations.js';

/** Revocation of access tokens, shared by sign-out (auth) and account changes (users). */
@Module({ providers: [TokenRevocations], exports: [TokenRevocations] })
export class TokenRevocationsModule {}
