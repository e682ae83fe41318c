"""Optional OpenTelemetry tracing: a webhook, the turn it starts and each reply sent, as one trace.

Off unless ``[tracing] enabled`` (docs/scale.md); then OpenTelemetry's packages are needed
(``pip install 'chatshop[tracing]'``), and off it costs a message nothing but a flag read.

A webhook's span context goes into the messages it brought (``Inbound.trace``, a W3C
``traceparent``), which the inbox keeps with them: the turn that handles a message, on whichever
worker, is a child of its webhook's span. A reply's send joins the trace of the message it answers,
which the outbox keeps with the reply (so on any worker, after a restart too); a reply queued
outside a turn joins the customer's latest message's, read from the inbox.

Spans carry no personal data: channel and plugin names, message kinds, counts, results and error
codes only; never a customer's id or number, what they wrote, an address, an order's contents, or a
token. Exceptions are not recorded in spans (their messages may quote any of these): a failed
span names the exception's type.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opentelemetry.trace import Span, Tracer, TracerProvider

    from chatshop.config import TracingSection
    from chatshop.messages import Inbound

__all__ = ["Tracing"]

_OFF: AbstractContextManager[None] = nullcontext()
_TRACEPARENT = "traceparent"


class Tracing:
    """The shop's tracer, or nothing when tracing is off (every method is then a no-op)."""

    def __init__(self, section: TracingSection, provider: TracerProvider | None = None) -> None:
        self.on = section.enabled
        self._owned: Any = None  # a provider built here, shut down (flushed) with the shop
        self._tracer: Tracer | None = None
        if not self.on:
            return
        from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

        if provider is None and section.exporter == "global":
            from opentelemetry import trace

            provider = trace.get_tracer_provider()  # the process's own: not ours to shut down
        if provider is None:
            provider = self._owned = _provider(section)
        self._tracer = provider.get_tracer("chatshop")
        self._propagator = TraceContextTextMapPropagator()

    def shutdown(self) -> None:
        """Send what is still buffered (the provider built here; one set up elsewhere is left alone)."""
        if self._owned is not None:
            self._owned.shutdown()

    # --- where a message's way starts and goes on --------------------------------------------
    def webhook(self, channel: str) -> AbstractContextManager[Span | None]:
        """The span of one webhook request (``channel`` names the route: ``whatsapp``,
        ``payments:razorpay``); the messages it records carry its context (:meth:`stamp`)."""
        if self._tracer is None:
            return _OFF
        return self._span("chatshop.webhook", None, {"chatshop.channel": channel}, server=True)

    def stamp(self, inbound: Inbound) -> Inbound:
        """``inbound`` with the current span's context in ``trace``, for whoever handles it."""
        if self._tracer is None or inbound.trace is not None:
            return inbound
        carrier: dict[str, str] = {}
        self._propagator.inject(carrier)
        parent = carrier.get(_TRACEPARENT)
        return inbound.model_copy(update={"trace": parent}) if parent else inbound

    def turn(self, inbound: Inbound) -> AbstractContextManager[Span | None]:
        """The span of the turn that handles ``inbound``, a child of its webhook's."""
        if self._tracer is None:
            return _OFF
        attributes = {"chatshop.channel": inbound.channel, "chatshop.inbound.kind": inbound.kind.value}
        return self._span("chatshop.turn", inbound.trace, attributes)

    def send(self, channel: str, kind: str, parent: str | None) -> AbstractContextManager[Span | None]:
        """The span of one reply's send (``kind``: text, buttons, ...), a child of ``parent``."""
        if self._tracer is None:
            return _OFF
        return self._span("chatshop.send", parent, {"chatshop.channel": channel, "chatshop.outbound.kind": kind})

    @contextmanager
    def _span(
        self, name: str, parent: str | None, attributes: Mapping[str, str], *, server: bool = False
    ) -> Iterator[Span]:
        from opentelemetry.trace import SpanKind, Status, StatusCode

        assert self._tracer is not None
        context = self._propagator.extract({_TRACEPARENT: parent}) if parent else None
        with self._tracer.start_as_current_span(
            name,
            context=context,
            kind=SpanKind.SERVER if server else SpanKind.INTERNAL,
            attributes=dict(attributes),
            record_exception=False,  # an exception's message may quote a customer
            set_status_on_exception=False,
        ) as span:
            try:
                yield span
            except BaseException as error:
                span.set_status(Status(StatusCode.ERROR, type(error).__name__))
                raise


def _provider(section: TracingSection) -> Any:
    """A tracer provider exporting as ``[tracing]`` asks (``console`` or ``otlp``)."""
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider as SdkTracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

    provider = SdkTracerProvider(resource=Resource.create({"service.name": section.service_name}))
    exporter: SpanExporter
    if section.exporter == "console":
        exporter = ConsoleSpanExporter()
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=section.endpoint) if section.endpoint else OTLPSpanExporter()
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider
