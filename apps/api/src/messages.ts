import { ACCESS_MESSAGES_ZH } from '#libs/access';
import { BATTERY_CODE_MESSAGES_ZH } from '#libs/battery-code';
import { BATTERIES_MESSAGES_ZH } from '#libs/batteries';
import { CASCADE_MESSAGES_ZH } from '#libs/cascade';
import { CODES_MESSAGES_ZH } from '#libs/codes';
import { COMPLIANCE_MESSAGES_ZH } from '#libs/compliance';
import { COMMON_MESSAGES_ZH, registerMessages, registerReasonPatterns, VALIDATION_REASON_PATTERNS_ZH, VALIDATION_REASONS } from '#libs/common';
import { CUSTODY_MESSAGES_ZH } from '#libs/custody';
import { ENTERPRISES_MESSAGES_ZH } from '#libs/enterprises';
import { LEDGER_QUERIES_MESSAGES_ZH } from '#libs/ledger-queries';
import { OUTLETS_MESSAGES_ZH } from '#libs/outlets';
import { LEDGER_REASON_PATTERNS_ZH, LIFECYCLE_MESSAGES_ZH } from '#libs/lifecycle';
import { TESTING_MESSAGES_ZH } from '#libs/testing';
import { UPLOAD_CELL_REASON_PATTERNS_ZH, UPLOADS_MESSAGES_ZH } from '#libs/uploads';

let registered = false;

/**
 * Every lib's Chinese catalogue, registered once per process (see libs/common/src/i18n.ts). A lib that adds error
 * codes or ledger rules exports `<LIB>_MESSAGES_ZH` and is listed here; test/messages.spec.ts fails for any code or
 * rule of any lib without a text.
 */
export function registerChineseMessages(): void {
  if (registered) return;
  registered = true;
  registerMessages(
    COMMON_MESSAGES_ZH,
    BATTERY_CODE_MESSAGES_ZH,
    CODES_MESSAGES_ZH,
    ENTERPRISES_MESSAGES_ZH,
    BATTERIES_MESSAGES_ZH,
    LIFECYCLE_MESSAGES_ZH,
    UPLOADS_MESSAGES_ZH,
    OUTLETS_MESSAGES_ZH,
    LEDGER_QUERIES_MESSAGES_ZH,
    TESTING_MESSAGES_ZH,
    CASCADE_MESSAGES_ZH,
    COMPLIANCE_MESSAGES_ZH,
    CUSTODY_MESSAGES_ZH,
    ACCESS_MESSAGES_ZH,
  );
  registerReasonPatterns(VALIDATION_REASONS, [...VALIDATION_REASON_PATTERNS_ZH, ...UPLOAD_CELL_REASON_PATTERNS_ZH]);
  for (const [rule, patterns] of Object.entries(LEDGER_REASON_PATTERNS_ZH)) registerReasonPatterns(rule, patterns);
}
