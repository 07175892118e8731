import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The text encoding a CSV upload was read in, shown with the upload: CSV files may be UTF-8 or GB18030 (GBK, what
 * Excel on Chinese Windows saves as "CSV (逗号分隔)"), decided from the file's bytes when it is processed. NULL for
 * XLSX files and for CSV files not yet processed.
 */
export class UploadTextEncoding1795601100000 implements MigrationInterface {
  name = 'UploadTextEncoding1795601100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE uploads ADD COLUMN text_encoding text CHECK (text_encoding IN ('utf-8', 'gb18030'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE uploads DROP COLUMN text_encoding`);
  }
}
