import { EnterpriseErrorCode } from './errors';

/** Chinese for the enterprise, regulator and API-key errors (see the translation mechanism in libs/common). */
export const ENTERPRISES_MESSAGES_ZH: Readonly<Record<EnterpriseErrorCode, string>> = {
  [EnterpriseErrorCode.ENTERPRISE_NOT_FOUND]: '企业 {id} 不存在',
  [EnterpriseErrorCode.REGULATOR_NOT_FOUND]: '监管账户 {id} 不存在',
  [EnterpriseErrorCode.API_KEY_NOT_FOUND]: 'API 密钥 {id} 不存在',
  [EnterpriseErrorCode.USCC_TAKEN]: '统一社会信用代码为 {uscc} 的企业已注册',
  [EnterpriseErrorCode.API_KEY_MISSING]: '需要 API 密钥：请发送 `Authorization: Bearer <密钥>`',
  [EnterpriseErrorCode.API_KEY_INVALID]: 'API 密钥不存在或已被吊销',
  [EnterpriseErrorCode.FIELD_NOT_EDITABLE]: '只有管理员可以修改 {fields}',
};
