import type { FundingReportContent } from '@wandelwerk/contracts';
import { csvField, csvLine, csvText, euros, percent } from './csv-writer.js';

/** The filters a report was asked for; null: all. */
export interface ReportFilter {
  programmeCode: string | null;
  fromYear: number | null;
  toYear: number | null;
}

/** One row as the cursor delivers it: every column as PostgreSQL's text, in the order of the SELECT. */
export type RawRow = (string | null)[];

export interface ReportLayout {
  /** Column names of the header line. */
  header: readonly string[];
  /** The rows, streamed in this order. `$1` programme code, `$2` first year, `$3` last year (each null: all). */
  sql: string;
  /** How many rows `sql` gives, for the progress; null where counting would cost as much as the report. */
  countSql: string | null;
  /**
   * An aggregate whose result is small (bounded by programmes × years or × municipalities): read in one go rather
   * than through a cursor, because PostgreSQL runs a cursor's query without parallel workers.
   */
  aggregate: boolean;
  /** The CSV line of one row. */
  line(row: RawRow): string;
}

/** Allocations that hold money: approved (reserved), paid out, or closed with what was paid. */
const FUNDED = `('approved', 'committed', 'disbursing', 'closed')`;

const LEDGER_WHERE = `($1::text IS NULL OR g.code = $1) AND ($2::int IS NULL OR b.year >= $2)
  AND ($3::int IS NULL OR b.year <= $3)`;

/**
 * Per programme and budget year: the line of the ledger as `GET …/programmes/{id}/budget` answers it.
 */
const ledger: ReportLayout = {
  header: [
    'Programmcode',
    'Programm',
    'Haushaltsjahr',
    'Geplant (EUR)',
    'Reserviert (EUR)',
    'Ausgezahlt (EUR)',
    'Verfügbar (EUR)',
  ],
  sql: `SELECT g.code, g.name, b.year, b.planned_cents, b.reserved_cents, b.disbursed_cents,
          b.planned_cents - b.reserved_cents - b.disbursed_cents
        FROM funding.budget_year b JOIN funding.programme g ON g.id = b.programme_id
        WHERE ${LEDGER_WHERE}
        ORDER BY g.code, b.year`,
  countSql: `SELECT count(*) FROM funding.budget_year b JOIN funding.programme g ON g.id = b.programme_id
             WHERE ${LEDGER_WHERE}`,
  aggregate: true,
  line: (r) =>
    csvLine([
      csvField(r[0]),
      csvText(r[1]),
      csvField(r[2]),
      euros(r[3]),
      euros(r[4]),
      euros(r[5]),
      euros(r[6]),
    ]),
};

/**
 * Per programme and municipality: the money of the funded allocations split by cost share, as lead and as partner.
 * Per allocation (over the years asked for) "approved" is what it holds of the budget (reserved + paid; a closed one
 * only what was paid) and "disbursed" what was paid. A partner's part is `floor(amount × share / 10000)`, the lead
 * gets the rest, so the parts of an allocation add up to its amount to the cent and the sums of the report equal
 * the ledger's reserved + disbursed (and disbursed) of the same programmes and years.
 */
const municipalities: ReportLayout = {
  header: [
    'Programmcode',
    'AGS',
    'Kommune',
    'Federführend: Vorhaben',
    'Federführend: bewilligt (EUR)',
    'Federführend: ausgezahlt (EUR)',
    'Partner: Vorhaben',
    'Partner: bewilligt (EUR)',
    'Partner: ausgezahlt (EUR)',
    'Gesamt: bewilligt (EUR)',
    'Gesamt: ausgezahlt (EUR)',
  ],
  // A sum of bigint is numeric in PostgreSQL: cast back, so that the integer division rounds down.
  sql: `WITH money AS (
          SELECT a.id, a.programme_code,
            sum(CASE WHEN a.status = 'closed' THEN y.paid_cents ELSE y.amount_cents END)::bigint AS approved,
            sum(y.paid_cents)::bigint AS paid
          FROM funding.allocation a JOIN funding.allocation_year y ON y.allocation_id = a.id
          WHERE a.status IN ${FUNDED} AND ($1::text IS NULL OR a.programme_code = $1)
            AND ($2::int IS NULL OR y.year >= $2) AND ($3::int IS NULL OR y.year <= $3)
          GROUP BY a.id, a.programme_code
        ), parts AS (
          SELECT m.programme_code, m.id, m.approved, m.paid, s.municipality_id, s.ags, s.name, s.role,
            CASE WHEN s.role = 'partner' THEN m.approved * s.cost_share_basis_points / 10000 ELSE 0 END AS p_approved,
            CASE WHEN s.role = 'partner' THEN m.paid * s.cost_share_basis_points / 10000 ELSE 0 END AS p_paid
          FROM money m JOIN funding.allocation_share s ON s.allocation_id = m.id
        ), shares AS (
          SELECT programme_code, municipality_id, ags, name, role,
            CASE WHEN role = 'lead' THEN approved - (sum(p_approved) OVER w)::bigint ELSE p_approved END AS approved,
            CASE WHEN role = 'lead' THEN paid - (sum(p_paid) OVER w)::bigint ELSE p_paid END AS paid
          FROM parts WINDOW w AS (PARTITION BY id)
        )
        SELECT programme_code, ags, max(name),
          count(*) FILTER (WHERE role = 'lead'),
          coalesce(sum(approved) FILTER (WHERE role = 'lead'), 0),
          coalesce(sum(paid) FILTER (WHERE role = 'lead'), 0),
          count(*) FILTER (WHERE role = 'partner'),
          coalesce(sum(approved) FILTER (WHERE role = 'partner'), 0),
          coalesce(sum(paid) FILTER (WHERE role = 'partner'), 0),
          sum(approved), sum(paid)
        FROM shares
        GROUP BY programme_code, municipality_id, ags
        ORDER BY programme_code, ags, municipality_id`,
  countSql: null,
  aggregate: true,
  line: (r) =>
    csvLine([
      csvField(r[0]),
      csvField(r[1]),
      csvText(r[2]),
      csvField(r[3]),
      euros(r[4]),
      euros(r[5]),
      csvField(r[6]),
      euros(r[7]),
      euros(r[8]),
      euros(r[9]),
      euros(r[10]),
    ]),
};

const KOHESIO_WHERE = `a.status IN ${FUNDED} AND ($1::text IS NULL OR a.programme_code = $1)
  AND ($2::int IS NULL OR a.planned_end >= make_date($2, 1, 1))
  AND ($3::int IS NULL OR a.planned_start <= make_date($3, 12, 31))`;

/**
 * One row per funded operation (allocation) with the column names of the Kohesio project list; the mapping is in
 * docs/funding.md. The funding amount is what the allocation holds (amount − released), the co-financing rate that
 * amount over the eligible cost.
 */
const kohesio: ReportLayout = {
  header: [
    'Operation_Unique_Identifier',
    'Operation_Local_Identifier',
    'Operation_Name_Programme_Language',
    'Operation_Start_Date',
    'Operation_End_Date',
    'Programme_Name',
    'Fund_Code',
    'Total_Eligible_Expenditure_amount',
    'Total_Eligible_Expenditure_Currency',
    'Project_EU_Budget',
    'Cofinancing_Rate',
    'Beneficiary_Name',
    'Beneficiary_Local_Identifier',
    'Country',
    'LAU_Code',
    'LAU_Label',
  ],
  sql: `SELECT a.id, a.grant_reference, a.title, a.planned_start, a.planned_end, g.name, a.programme_code,
          a.eligible_cost_cents, a.amount_cents - a.released_cents, a.lead_municipality ->> 'name',
          a.lead_municipality ->> 'ags'
        FROM funding.allocation a JOIN funding.programme g ON g.id = a.programme_id
        WHERE ${KOHESIO_WHERE}
        ORDER BY a.created_at, a.id`,
  countSql: `SELECT count(*) FROM funding.allocation a WHERE ${KOHESIO_WHERE}`,
  aggregate: false,
  line: (r) => {
    const name = csvText(r[9]);
    const ags = csvField(r[10]);
    return csvLine([
      csvField(r[0]),
      csvText(r[1]),
      csvText(r[2]),
      csvField(r[3]),
      csvField(r[4]),
      csvText(r[5]),
      csvField(r[6]),
      euros(r[7]),
      'EUR',
      euros(r[8]),
      percent(r[8] ?? 0, r[7] ?? 0),
      name,
      ags,
      'DE',
      ags,
      name,
    ]);
  },
};

export const REPORT_LAYOUTS: Readonly<Record<FundingReportContent, ReportLayout>> = {
  ledger,
  municipalities,
  kohesio,
};

/** The kind the event contract `funding.report.generated.v1` names for each report. */
export const EVENT_KIND_OF = {
  ledger: 'budget-overview',
  municipalities: 'allocations',
  kohesio: 'allocations',
} as const;
