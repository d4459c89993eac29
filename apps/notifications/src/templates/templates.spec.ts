import { describe, expect, it } from '@jest/globals';
import { renderDigestEmail, renderEmail } from './email.js';
import { formatEuros, render, TEMPLATES } from './templates.js';

describe('templates', () => {
  const vars = {
    projectTitle: 'Niederlausitzhalle',
    status: 'approved',
    amountCents: 1_062_000_000,
    dueDate: '2026-03-31',
    days: 3,
    reportKind: 'interim',
    programmeCode: 'INVKG-BB',
    year: 2026,
    thresholdPercent: 90,
    instalment: 2,
    milestoneTitle: 'Baubeginn',
    webhookUrl: 'https://ris.example/hook',
    failures: 3,
    comment: null,
  };

  it('exist for every key in German and English, naming the project (where there is one) and differing by language', () => {
    for (const key of Object.keys(TEMPLATES) as (keyof typeof TEMPLATES)[]) {
      const de = render(key, vars, 'de');
      const en = render(key, vars, 'en');
      expect(de.title.length).toBeGreaterThan(0);
      expect(de.body).not.toBe(en.body);
      if (!key.startsWith('budget.') && !key.startsWith('webhook.')) {
        expect(de.body).toContain('Niederlausitzhalle');
        expect(en.body).toContain('Niederlausitzhalle');
      }
      expect(`${de.title}${de.body}${en.title}${en.body}`).not.toMatch(/undefined|NaN/);
    }
  });

  it('name the new status and the amount in the reader’s language', () => {
    expect(render('proposal.approved', vars, 'de')).toEqual({
      title: 'Projekt „Niederlausitzhalle“: bewilligt',
      body: 'Der Status des Projekts „Niederlausitzhalle“ ist jetzt: bewilligt. Bewilligte Förderung: 10.620.000,00\u00a0€.',
    });
    expect(render('proposal.approved', vars, 'en').body).toBe(
      'The status of the project "Niederlausitzhalle" is now: approved. Approved funding: €10,620,000.00.',
    );
    expect(render('report.overdue', vars, 'de').body).toContain('Zwischennachweis');
    expect(render('report.overdue', vars, 'de').body).toContain('31.03.2026');
    expect(render('report.overdue', vars, 'en').body).toContain('31 March 2026');
    expect(formatEuros(1, 'de')).toBe('0,01\u00a0€');
  });

  it('e-mails carry HTML (escaped) and plain text with the link', () => {
    const mail = renderEmail(
      { title: 'A <b>', body: 'x & y\n\nz', link: 'https://w.example/api/v1/projects/1' },
      'de',
    );
    expect(mail.subject).toBe('A <b>');
    expect(mail.html).toContain('A &lt;b&gt;');
    expect(mail.html).toContain('<p>x &amp; y</p><p>z</p>');
    expect(mail.html).toContain('href="https://w.example/api/v1/projects/1"');
    expect(mail.text).toContain('Projekt öffnen: https://w.example/api/v1/projects/1');
    const digest = renderDigestEmail(
      [
        { title: 'one', body: 'b1', link: null },
        { title: 'two', body: 'b2', link: null },
      ],
      'en',
    );
    expect(digest.subject).toBe('Wandelwerk: 2 notifications (daily digest)');
    expect(digest.text.indexOf('one')).toBeLessThan(digest.text.indexOf('two'));
  });
});
