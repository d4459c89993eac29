import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ROLES, type ActorDto } from '@wandelwerk/contracts';
import { ApiProblemResponses } from '../http/index.js';
import { LoginDto, RefreshDto, SignedInUserDto, TokenPairDto } from './auth.dto.js';
import { AuthService } from './auth.service.js';
import { CurrentActor, type AuthenticatedRequest } from './current-actor.decorator.js';
import { LogoutDto } from './logout.dto.js';
import { Public, Roles } from './roles.decorator.js';

/** Sign-in with a local account, token refresh and sign-out. */
@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Anmelden / sign in',
    description:
      'Gibt ein kurzlebiges Zugriffstoken (JWT) und ein Aktualisierungstoken zurück. Fehlversuche werden je Konto und ' +
      'Adresse begrenzt (429 mit Retry-After). / Returns a short-lived access token and a refresh token; failed ' +
      'attempts are limited per account and address.',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiProblemResponses(401, 429)
  async login(@Req() request: AuthenticatedRequest, @Body() body: LoginDto): Promise<TokenPairDto> {
    const pair = await this.auth.login(body.email, body.password, request.ip);
    // The audit record names who signed in, although the request carried no token.
    request.actor = { userId: pair.user.id, role: pair.user.role, municipalityId: pair.user.municipalityId };
    return pair;
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Token erneuern / exchange a refresh token (once) for a new pair' })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiProblemResponses(401)
  async refresh(@Req() request: AuthenticatedRequest, @Body() body: RefreshDto): Promise<TokenPairDto> {
    const pair = await this.auth.refresh(body.refreshToken);
    request.actor = { userId: pair.user.id, role: pair.user.role, municipalityId: pair.user.municipalityId };
    return pair;
  }

  @Post('logout')
  @Roles(...ROLES)
  @HttpCode(204)
  @ApiOperation({ summary: 'Abmelden / sign out: revokes the session and this access token' })
  @ApiNoContentResponse()
  @ApiProblemResponses(401)
  async logout(@Req() request: AuthenticatedRequest, @Body() body: LogoutDto): Promise<void> {
    await this.auth.logout(request.accessToken!, body.refreshToken);
  }

  @Get('me')
  @Roles(...ROLES)
  @ApiOperation({ summary: 'Wer bin ich / the signed-in user as the API sees them' })
  @ApiOkResponse({ type: SignedInUserDto })
  @ApiProblemResponses(401)
  me(@CurrentActor() actor: ActorDto): SignedInUserDto {
    return { id: actor.userId, role: actor.role, municipalityId: actor.municipalityId ?? null };
  }
}
