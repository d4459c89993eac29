import { Module } from '@nestjs/common';
import { TokenRevocationsModule } from '../auth/token-revocations.module.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [TokenRevocationsModule],
  controllers: [UsersController],
  providers: [UsersService],
  exports: [UsersService],
})
export class UsersModule {}
