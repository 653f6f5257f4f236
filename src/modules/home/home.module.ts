import { Module } from '@nestjs/common';
import { moduleLinks } from '../../common/web/links';
import { HomeController } from './home.controller';
import { HomeService } from './home.service';

@Module({
  controllers: [HomeController],
  providers: [HomeService, moduleLinks('home', { nav: [{ href: '/', labelKey: 'nav.home', audience: 'anyone', order: 0 }] })],
})
export class HomeModule {}
