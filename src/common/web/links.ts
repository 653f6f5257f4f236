import { Global, Injectable, Module, type OnModuleInit, type Provider } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService } from '@nestjs/core';
import { mayPerform } from '../access/function.decorator';
import type { Role } from '../access/roles';
import type { Principal } from '../context/request-context';

/** Who sees a link: anyone, only visitors not signed in, or signed-in principals with these roles. */
export type Audience = 'anyone' | 'signed-out' | readonly Role[];

interface Shown {
  href: string;
  audience: Audience;
  /** Only on the intranet (staff pages, the staff sign-in). */
  intranetOnly?: boolean;
  /** Position among all modules' links (ascending). */
  order: number;
  /** A unit's business function the page performs: an operator sees the link only when granted it. */
  function?: string;
}

/** An item of the header navigation. */
export interface NavLink extends Shown {
  labelKey: string;
}

/** A card on the home page; `staff` cards are listed under "內部人員作業". */
export interface ServiceLink extends Shown {
  titleKey: string;
  descriptionKey: string;
  audienceKey: string;
  staff?: boolean;
}

/** What one module adds to the header and the home page. */
export class ModuleLinks {
  constructor(
    readonly module: string,
    readonly nav: readonly NavLink[],
    readonly services: readonly ServiceLink[],
  ) {}
}

/**
 * A module's contribution, in its own Nest module's providers: `moduleLinks('cards', { nav, services })`.
 * A module adds its links when its pages exist, so no page leads to a dead link, and no central
 * list is edited.
 */
export function moduleLinks(module: string, links: { nav?: NavLink[]; services?: ServiceLink[] }): Provider {
  return { provide: `ModuleLinks:${module}`, useValue: new ModuleLinks(module, links.nav ?? [], links.services ?? []) };
}

function visible(link: Shown, principal: Principal | null, intranet: boolean): boolean {
  if (link.intranetOnly && !intranet) return false;
  if (link.audience === 'anyone') return true;
  if (link.audience === 'signed-out') return !principal;
  if (!principal || !link.audience.includes(principal.role)) return false;
  return !link.function || principal.role !== 'employer_operator' || mayPerform(principal, link.function);
}

/** Every module's links, collected once at start from the ModuleLinks providers. */
@Injectable()
export class LinksRegistry implements OnModuleInit {
  private nav: NavLink[] = [];
  private services: ServiceLink[] = [];

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    const contributions = this.discovery
      .getProviders()
      .map((wrapper) => wrapper.instance as unknown)
      .filter((instance): instance is ModuleLinks => instance instanceof ModuleLinks);
    const byOrder = <T extends Shown>(a: T, b: T) => a.order - b.order;
    this.nav = contributions.flatMap((c) => c.nav).sort(byOrder);
    this.services = contributions.flatMap((c) => c.services).sort(byOrder);
  }

  /** The header navigation for this principal on this path. */
  navigationFor(principal: Principal | null, path: string, intranet: boolean) {
    return this.nav
      .filter((item) => visible(item, principal, intranet))
      .map((item) => ({
        href: item.href,
        labelKey: item.labelKey,
        current: item.href === '/' ? path === '/' : path === item.href || path.startsWith(`${item.href}/`),
      }));
  }

  /** The home page's services for this principal: for everyone, and the staff section. */
  servicesFor(principal: Principal | null, intranet: boolean) {
    const shown = this.services.filter((s) => visible(s, principal, intranet));
    const card = ({ href, titleKey, descriptionKey, audienceKey }: ServiceLink) => ({ href, titleKey, descriptionKey, audienceKey });
    return { services: shown.filter((s) => !s.staff).map(card), staffServices: shown.filter((s) => s.staff).map(card) };
  }
}

/** The web application's registry of links (global: the page pipeline and the home page read it). */
@Global()
@Module({ imports: [DiscoveryModule], providers: [LinksRegistry], exports: [LinksRegistry] })
export class LinksModule {}
