import type { ErrorDetail } from '#libs/common';
import { DomainException } from '#libs/common';

export enum TestingErrorCode {
  /** One test sent alone was not recorded: `details` say why (field paths, ledger rules). */
  RESIDUAL_TEST_REJECTED = 'RESIDUAL_TEST_REJECTED',
  RESIDUAL_TEST_NOT_FOUND = 'RESIDUAL_TEST_NOT_FOUND',
  TOO_MANY_TESTS = 'TOO_MANY_TESTS',
  INVALID_GRADING_RULES = 'INVALID_GRADING_RULES',
}

/** Chinese messages of the error codes (for Accept-Language: zh-CN). */
export const TESTING_MESSAGES_ZH: Record<string, string> = {
  RESIDUAL_TEST_REJECTED: '余能检测记录未被接受：{reason}',
  RESIDUAL_TEST_NOT_FOUND: '未找到余能检测记录 {id}',
  TOO_MANY_TESTS: '一次最多提交 {max} 条检测记录，实际 {count} 条',
  INVALID_GRADING_RULES: '分级规则无效：{reason}',
};

export const TestingErrors = {
  rejected: (reasons: ErrorDetail[]) =>
    new DomainException(
      TestingErrorCode.RESIDUAL_TEST_REJECTED,
      'invalid',
      `The test was not recorded: ${reasons.map((r) => `${r.path}: ${r.reason}`).join('; ')}`,
      reasons,
    ),
  notFound: (id: string) =>
    new DomainException(TestingErrorCode.RESIDUAL_TEST_NOT_FOUND, 'not_found', `No residual test ${id}`, [{ path: 'id', reason: 'no such test', id }]),
  tooMany: (count: number, max: number) =>
    new DomainException(TestingErrorCode.TOO_MANY_TESTS, 'too_large', `At most ${max} tests per request, got ${count}`, [
      { path: 'tests', reason: `at most ${max}`, max, count },
    ]),
  invalidRules: (details: ErrorDetail[]) =>
    new DomainException(
      TestingErrorCode.INVALID_GRADING_RULES,
      'invalid',
      `The grading rules are inconsistent: ${details.map((d) => d.reason).join('; ')}`,
      details,
    ),
};
