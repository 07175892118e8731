/**
 * Chinese messages for the upload failure codes added against issue 13 (zip bombs, revoked keys). `{…}` names a value
 * the failure's details carry (`path`, `reason`, `limit`). Wired into Accept-Language: zh-CN by the translation
 * mechanism; kept apart from the lib's main catalogue so that the two merge without conflict.
 */
export const UPLOADS_SECURITY_MESSAGES_ZH: Record<string, string> = {
  FILE_TOO_LARGE_WHEN_UNPACKED: 'XLSX 工作簿解压后超出本服务的读取上限：{path} {reason}。请将数据单独另存为新的工作簿（或 CSV）后再上传。',
  UPLOAD_KEY_REVOKED: '上传该文件的 API 密钥已被吊销，处理已停止。已处理的行保留其结果；其余数据请使用有效密钥重新上传。',
};
