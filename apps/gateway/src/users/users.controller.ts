import { Body, Controller, Get, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Page } from '@wandelwerk/contracts';
import { Roles } from '../auth/roles.decorator.js';
import { ApiPageResponse, ApiProblemResponses, Idempotent, UuidParam } from '../http/index.js';
import { CreateUserDto, ListUsersQueryDto, UpdateUserDto, UserDto } from './user.dto.js';
import { UsersService } from './users.service.js';

/** Accounts: administrators create and change them; nobody reads a password hash. */
@ApiTags('users')
@Controller('api/v1/users')
@Roles('admin')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @Idempotent()
  @ApiOperation({ summary: 'Konto anlegen / create an account' })
  @ApiCreatedResponse({ type: UserDto })
  @ApiProblemResponses(409)
  create(@Body() body: CreateUserDto): Promise<UserDto> {
    return this.users.create(body);
  }

  @Get()
  @ApiOperation({ summary: 'Konten auflisten / list accounts' })
  @ApiPageResponse(UserDto)
  list(@Query() query: ListUsersQueryDto): Promise<Page<UserDto>> {
    return this.users.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Ein Konto / one account' })
  @ApiOkResponse({ type: UserDto })
  @ApiProblemResponses(404)
  get(@UuidParam() id: string): Promise<UserDto> {
    return this.users.get(id);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Konto ändern / change an account',
    description:
      'Ändern sich Rolle, Gemeinde, Passwort oder Aktivierung, enden alle Sitzungen des Kontos. / A change of role, ' +
      'municipality, password or the active flag ends every session of the account.',
  })
  @ApiOkResponse({ type: UserDto })
  @ApiProblemResponses(404)
  update(@UuidParam() id: string, @Body() body: UpdateUserDto): Promise<UserDto> {
    return this.users.update(id, body);
  }
}
