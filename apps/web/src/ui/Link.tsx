import { type JSX, splitProps } from "solid-js";
import { navigate } from "../lib/router";

/** An ordinary `<a href>` that navigates inside the app on a plain left click. */
export function Link(props: JSX.AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const [local, rest] = splitProps(props, ["href", "onClick"]);
  const onClick = (event: MouseEvent & { currentTarget: HTMLAnchorElement; target: Element }) => {
    if (typeof local.onClick === "function") local.onClick(event);
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    )
      return;
    event.preventDefault();
    navigate(local.href);
  };
  return <a href={local.href} onClick={onClick} {...rest} />;
}
