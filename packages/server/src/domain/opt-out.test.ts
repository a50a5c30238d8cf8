import { describe, expect, it } from 'vitest';
import { complianceKeyword } from './opt-out.js';

describe('compliance keywords (STOP, START, HELP and their synonyms)', () => {
  it.each([
    'STOP',
    'stop ',
    ' Unsubscribe',
    'opt out',
    'OPT  OUT',
    'REVOKE',
    'quit',
    'End',
    'CANCEL',
    'StopAll',
    'optout',
  ])('%j opts out', (text) => expect(complianceKeyword(text)).toBe('stop'));

  it.each(['START', 'unstop', 'Yes '])('%j opts back in', (text) => expect(complianceKeyword(text)).toBe('start'));

  it.each(['HELP', 'info', ' Help\n'])('%j asks for help', (text) => expect(complianceKeyword(text)).toBe('help'));

  it.each(['stop it', 'please STOP', 'STOP!', 'stopp', 'yes please', '', 'HELP ME', 'S T O P'])(
    '%j is ordinary text',
    (text) => expect(complianceKeyword(text)).toBeNull(),
  );
});
