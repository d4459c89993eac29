import { Body, Controller, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CompleteProposalDto,
  CreateProposalDto,
  EndorseProposalDto,
  ListProposalsQueryDto,
  PROJECTS_RPC,
  ProposalDto,
  ProposalTransitionDto,
  RecordReviewDto,
  RejectProposalDto,
  RequestRevisionDto,
  ReviewDto,
  StartImplementationDto,
  StartReviewDto,
  TransitionCommentDto,
  UpdateProposalDto,
  type ActorDto,
  type Page,
} from '@wandelwerk/contracts';
import { RpcClient } from '@wandelwerk/messaging';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import { ApiPageResponse, ApiProblemResponses, Idempotent, UuidParam } from '../http/index.js';

/** Everyone signed in reads; the projects service narrows each read to what the caller may see (404 otherwise). */
const READERS = ['admin', 'program_manager', 'funding_officer', 'municipality'] as const;

/**
 * Project proposals (Projektskizzen), their lifecycle and reviews; the projects service does the work. The roles here
 * are the first gate: program managers draft and answer, funding officers review. The service checks again who may
 * act on the proposal at hand (its owner, 403 otherwise) and whether they may see it at all (404 otherwise).
 */
@ApiTags('projects')
@Controller('api/v1/projects')
export class ProjectsController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @Roles(...READERS)
  @ApiOperation({
    summary: 'Vorschläge auflisten und filtern / list and filter proposals (only those the caller may see)',
  })
  @ApiPageResponse(ProposalDto)
  list(@CurrentActor() actor: ActorDto, @Query() query: ListProposalsQueryDto): Promise<Page<ProposalDto>> {
    return this.rpc.request(PROJECTS_RPC.list, { actor, query });
  }

  @Post()
  @Roles('program_manager')
  @Idempotent()
  @ApiOperation({ summary: 'Entwurf anlegen / create a draft proposal' })
  @ApiCreatedResponse({ type: ProposalDto })
  @ApiProblemResponses(422)
  create(@CurrentActor() actor: ActorDto, @Body() data: CreateProposalDto): Promise<ProposalDto> {
    return this.rpc.request(PROJECTS_RPC.create, { actor, data });
  }

  @Get(':id')
  @Roles(...READERS)
  @ApiOperation({ summary: 'Ein Vorschlag / one proposal' })
  @ApiOkResponse({ type: ProposalDto })
  @ApiProblemResponses(404)
  get(@CurrentActor() actor: ActorDto, @UuidParam() id: string): Promise<ProposalDto> {
    return this.rpc.request(PROJECTS_RPC.get, { actor, id });
  }

  @Patch(':id')
  @Roles('program_manager')
  @ApiOperation({ summary: 'Entwurf ändern / change a draft or a proposal in revision' })
  @ApiOkResponse({ type: ProposalDto })
  @ApiProblemResponses(403, 404, 409, 422)
  update(
    @CurrentActor() actor: ActorDto,
    @UuidParam() id: string,
    @Body() data: UpdateProposalDto,
  ): Promise<ProposalDto> {
    return this.rpc.request(PROJECTS_RPC.update, { actor, id, data });
  }

  @Get(':id/history')
  @Roles(...READERS)
  @ApiOperation({ summary: 'Statusverlauf / every transition: who, when, from, to, comment' })
  @ApiOkResponse({ type: [ProposalTransitionDto] })
  @ApiProblemResponses(404)
  history(@CurrentActor() actor: ActorDto, @UuidParam() id: string): Promise<ProposalTransitionDto[]> {
    return this.rpc.request(PROJECTS_RPC.history, { actor, id });
  }

  @Get(':id/reviews')
  @Roles(...READERS)
  @ApiOperation({ summary: 'Bewertungen / the reviews of a proposal' })
  @ApiOkResponse({ type: [ReviewDto] })
  @ApiProblemResponses(404)
  reviews(@CurrentActor() actor: ActorDto, @UuidParam() id: string): Promise<ReviewDto[]> {
    return this.rpc.request(PROJECTS_RPC.listReviews, { actor, id });
  }

  @Post(':id/reviews')
  @Roles('funding_officer')
  @Idempotent()
  @ApiOperation({ summary: 'Votum erfassen / record a review with scores per criterion' })
  @ApiCreatedResponse({ type: ReviewDto })
  @ApiProblemResponses(403, 404, 409)
  recordReview(
    @CurrentActor() actor: ActorDto,
    @UuidParam() id: string,
    @Body() data: RecordReviewDto,
  ): Promise<ReviewDto> {
    return this.rpc.request(PROJECTS_RPC.recordReview, { actor, id, data });
  }

  @Post(':id/submit')
  @Roles('program_manager')
  @HttpCode(200)
  @ApiOperation({ summary: 'Einreichen / submit (checks the submit rules)' })
  @ApiOkResponse({ type: ProposalDto })
  @ApiProblemResponses(403, 404, 409, 422)
  submit(@CurrentActor() actor: ActorDto, @UuidParam() id: string, @Body() data: TransitionCommentDto) {
    return this.transition(PROJECTS_RPC.submit, actor, id, data);
  }

  @Post(':id/start-review')
  @Roles('funding_officer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Prüfung beginnen / start the review' })
  @ApiOkResponse({ type: ProposalDto })
  @ApiProblemResponses(403, 404, 409)
  startReview(@CurrentActor() actor: ActorDto, @UuidParam() id: string, @Body() data: StartReviewDto) {
    return this.transition(PROJECTS_RPC.startReview, actor, id, data);
  }

  @Post(':id/request-revision')
  @Roles('funding_officer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Zur Überarbeitung zurückgeben / request a revision' })
  @ApiOkResponse({ type: ProposalDto })
  @ApiProblemResponses(403, 404, 409)
  requestRevision(
    @CurrentActor() actor: ActorDto,
    @UuidParam() id: string,
    @Body() data: RequestRevisionDto,
  ) {
    return this.transition(PROJECTS_RPC.requestRevision, actor, id, data);
  }

  @Post(':id/endorse')
  @Roles('funding_officer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Befürworten / endorse (names the review)' })
  @ApiOkResponse({ type: ProposalDto })
  @ApiProblemResponses(403, 404, 409, 422)
  endorse(@CurrentActor() actor: ActorDto, @UuidParam() id: string, @Body() data: EndorseProposalDto) {
    return this.transition(PROJECTS_RPC.endorse, actor, id, data);
  }

  @Post(':id/reject')
  @Roles('funding_officer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Ablehnen / reject (names the review)' })
  @ApiOkResponse({ type: ProposalDto })
  @ApiProblemResponses(403, 404, 409, 422)
  reject(@CurrentActor() actor: ActorDto, @UuidParam() id: string, @Body() data: RejectProposalDto) {
    return this.transition(PROJECTS_RPC.reject, actor, id, data);
  }

  @Post(':id/withdraw')
  @Roles('program_manager')
  @HttpCode(200)
  @ApiOperation({ summary: 'Zurückziehen / withdraw (the owner, before a decision)' })
  @ApiOkResponse({ type: ProposalDto })
  @ApiProblemResponses(403, 404, 409)
  withdraw(@CurrentActor() actor: ActorDto, @UuidParam() id: string, @Body() data: TransitionCommentDto) {
    return this.transition(PROJECTS_RPC.withdraw, actor, id, data);
  }

  @Post(':id/start-implementation')
  @Roles('program_manager')
  @HttpCode(200)
  @ApiOperation({ summary: 'Umsetzung beginnen / start implementation' })
  @ApiOkResponse({ type: ProposalDto })
  @ApiProblemResponses(403, 404, 409)
  startImplementation(
    @CurrentActor() actor: ActorDto,
    @UuidParam() id: string,
    @Body() data: StartImplementationDto,
  ) {
    return this.transition(PROJECTS_RPC.startImplementation, actor, id, data);
  }

  @Post(':id/complete')
  @Roles('program_manager')
  @HttpCode(200)
  @ApiOperation({ summary: 'Abschließen / complete' })
  @ApiOkResponse({ type: ProposalDto })
  @ApiProblemResponses(403, 404, 409)
  complete(@CurrentActor() actor: ActorDto, @UuidParam() id: string, @Body() data: CompleteProposalDto) {
    return this.transition(PROJECTS_RPC.complete, actor, id, data);
  }

  private transition(pattern: string, actor: ActorDto, id: string, data: object): Promise<ProposalDto> {
    return this.rpc.request(pattern, { actor, id, data });
  }
}
