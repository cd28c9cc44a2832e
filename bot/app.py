"""bootstrap: wires the store, the clock, the router and the outbox from the configuration."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Config
from bot.core.clock import Clock
from bot.outbox import Dispatcher, Sender, new_instance_id
from bot.ratelimit import Peers
from bot.router import Router
from storage import Store, open_store


@dataclass
class App:
    """Everything a command needs, built once."""

    config: Config
    clock: Clock
    store: Store
    router: Router
    dispatcher: Dispatcher
    # This process among the zhibu instances sharing the database (its outbox claims and
    # leases carry it); new at every start.
    instance_id: str = ""

    async def close(self) -> None:
        """Release the database."""
        await self.store.close()


async def build_app(
    config: Config,
    clock: Clock,
    senders: dict[str, Sender] | None = None,
    *,
    store: Store | None = None,
) -> App:
    """Open (or reuse) the store and wire the core around it."""
    store = store or await open_store(config.database.url, files=config.database.files_dir())
    router = Router(store, clock, config.timezone, config.locale)
    instance_id = new_instance_id()
    dispatcher = Dispatcher(store, clock, senders or {}, quiet=config.quiet_hours,
                            tz=config.timezone, locale=config.locale, instance=instance_id,
                            peers=Peers(store, clock, instance_id))
    return App(config, clock, store, router, dispatcher, instance_id)
