import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

/**
 * The TypeORM connection. Entities are registered by each module with
 * TypeOrmModule.forFeature; the schema comes only from migrations/, which are
 * applied before the app starts (migrateDatabase), never by synchronize.
 */
@Module({})
export class DatabaseModule {
  static forRoot(url: string): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url,
          autoLoadEntities: true,
          synchronize: false,
          migrationsRun: false,
          extra: { max: 20 },
          // Failed queries surface as exceptions (logged by the exception filter when unexpected).
          logging: false,
        }),
      ],
    };
  }
}
