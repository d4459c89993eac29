import { Controller, Inject, type Type } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { SERVICE_NAME } from '../tokens.js';

export interface PingReply {
  service: string;
  time: string;
}

/** Every service answers `<service>.system.ping`, so the gateway can tell which services are reachable. */
export function systemPingHandler(service: string): Type {
  @Controller()
  class SystemPingHandler {
    constructor(@Inject(SERVICE_NAME) private readonly name: string) {}

    @MessagePattern(`${service}.system.ping`)
    ping(): PingReply {
      return { service: this.name, time: new Date().toISOString() };
    }
  }
  return SystemPingHandler;
}
