CREATE TABLE `prices` (
	`product_id` integer NOT NULL,
	`cents` integer NOT NULL,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`)
);